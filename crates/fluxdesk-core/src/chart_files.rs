//! Saving a chart the window shows: its SVG as it is, or rasterized to PNG
//! (at twice its size, for sharp text), written via `<file>.partial`.

use crate::error::{CoreError, CoreResult};
use std::path::Path;

/// Writes `svg` to `path`: `.svg` as is, `.png` rasterized.
pub fn save_chart(svg: &str, path: &Path) -> CoreResult<()> {
    let extension = path
        .extension()
        .map(|extension| extension.to_string_lossy().to_lowercase())
        .unwrap_or_default();
    let bytes = match extension.as_str() {
        "svg" => svg.as_bytes().to_vec(),
        "png" => png(svg)?,
        _ => {
            return Err(CoreError::InvalidInput(format!(
                "Save the chart as .svg or .png, not \"{}\".",
                path.display()
            )));
        }
    };
    let partial = crate::audit_export::partial_path(path);
    std::fs::write(&partial, bytes)
        .and_then(|()| std::fs::rename(&partial, path))
        .map_err(|error| {
            let _ = std::fs::remove_file(&partial);
            CoreError::io(format!("Cannot save the chart to {}", path.display()), error)
        })
}

fn png(svg: &str) -> CoreResult<Vec<u8>> {
    use resvg::{tiny_skia, usvg};
    let unreadable =
        |what: String| CoreError::InvalidInput(format!("The chart cannot be drawn as PNG: {what}."));
    let mut options = usvg::Options::default();
    options.fontdb_mut().load_system_fonts();
    let tree = usvg::Tree::from_str(svg, &options).map_err(|error| unreadable(error.to_string()))?;
    let size = tree.size().to_int_size();
    let mut pixmap = tiny_skia::Pixmap::new(size.width() * 2, size.height() * 2)
        .ok_or_else(|| unreadable("it has no size".into()))?;
    resvg::render(
        &tree,
        tiny_skia::Transform::from_scale(2.0, 2.0),
        &mut pixmap.as_mut(),
    );
    pixmap.encode_png().map_err(|error| unreadable(error.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    const CHART: &str = r##"<svg width="40" height="20" viewBox="0 0 40 20" xmlns="http://www.w3.org/2000/svg"><rect x="0" y="0" width="40" height="20" fill="#3B82F6"/></svg>"##;

    #[test]
    fn charts_save_as_svg_or_png_and_nothing_else() {
        let folder = tempfile::tempdir().unwrap();
        let svg = folder.path().join("chart.svg");
        save_chart(CHART, &svg).unwrap();
        assert_eq!(std::fs::read_to_string(&svg).unwrap(), CHART);
        let png = folder.path().join("chart.PNG");
        save_chart(CHART, &png).unwrap();
        let bytes = std::fs::read(&png).unwrap();
        assert!(bytes.starts_with(b"\x89PNG\r\n\x1a\n"));
        // Width and height (IHDR), at twice the chart's size.
        assert_eq!(u32::from_be_bytes(bytes[16..20].try_into().unwrap()), 80);
        assert_eq!(u32::from_be_bytes(bytes[20..24].try_into().unwrap()), 40);
        let refused = save_chart(CHART, &folder.path().join("chart.jpg")).unwrap_err();
        assert!(refused.to_string().contains(".svg or .png"), "{refused}");
        assert!(save_chart("not svg", &folder.path().join("x.png")).is_err());
        assert!(!folder.path().join("x.png.partial").exists());
    }
}
