//! Storage buckets: what each holds, their settings, and their objects.

use crate::components::users_screen::short_time;
use crate::components::{ErrorBanner, step_up_dialog};
use crate::format::{bytes, grouped};
use crate::services;
use fluxdesk_types::{
    ApiError, Bucket, BucketEdit, CHANGE_BUCKET, ErrorCode, ObjectListRequest, StorageObject,
};
use web_sys::{HtmlInputElement, HtmlTextAreaElement};
use yew::prelude::*;

/// Objects per page in the browser.
const OBJECTS_PER_PAGE: u32 = 100;

/// Properties of [`BucketsPanel`].
#[derive(Properties, PartialEq)]
pub struct BucketsPanelProps {
    /// The instance.
    pub profile_id: String,
}

/// A bucket edit as typed: the form's text, checked by the backend.
#[derive(Clone, PartialEq)]
struct BucketForm {
    id: String,
    public: bool,
    mime_types: String,
    max_file_size: String,
}

impl BucketForm {
    fn of(bucket: &Bucket) -> Self {
        BucketForm {
            id: bucket.id.clone(),
            public: bucket.public,
            mime_types: bucket.allowed_mime_types.clone().unwrap_or_default().join("\n"),
            max_file_size: bucket
                .max_file_size
                .map(|size| size.to_string())
                .unwrap_or_default(),
        }
    }

    /// The edit to send, or why the size is not a number of bytes.
    fn edit(&self) -> Result<BucketEdit, String> {
        let types: Vec<String> = self
            .mime_types
            .split([',', '\n'])
            .map(str::trim)
            .filter(|text| !text.is_empty())
            .map(str::to_owned)
            .collect();
        let size = self.max_file_size.trim().replace('_', "");
        let max_file_size =
            if size.is_empty() {
                None
            } else {
                Some(size.parse::<i64>().map_err(|_| {
                    format!("\"{size}\" is not a number of bytes; leave it empty for no limit.")
                })?)
            };
        Ok(BucketEdit {
            id: self.id.clone(),
            public: self.public,
            allowed_mime_types: (!types.is_empty()).then_some(types),
            max_file_size,
        })
    }
}

/// The storage section of the Settings tab.
#[component]
pub fn BucketsPanel(props: &BucketsPanelProps) -> Html {
    let buckets = use_state(Vec::<Bucket>::new);
    let error = use_state(|| Option::<ApiError>::None);
    let editing = use_state(|| Option::<BucketForm>::None);
    let stepping_up = use_state(|| Option::<BucketEdit>::None);
    let browsing = use_state(|| Option::<String>::None);
    let id = props.profile_id.clone();

    let reload = {
        let (buckets, error, id) = (buckets.clone(), error.clone(), id.clone());
        Callback::from(move |_: ()| {
            let (buckets, error, id) = (buckets.clone(), error.clone(), id.clone());
            wasm_bindgen_futures::spawn_local(async move {
                match services::buckets(&id).await {
                    Ok(loaded) => buckets.set(loaded),
                    Err(failure) => error.set(Some(failure)),
                }
            });
        })
    };
    {
        let reload = reload.clone();
        use_effect_with(id.clone(), move |_| reload.emit(()));
    }
    let save = {
        let (error, editing, stepping_up, reload, id) = (
            error.clone(),
            editing.clone(),
            stepping_up.clone(),
            reload.clone(),
            id.clone(),
        );
        Callback::from(move |edit: BucketEdit| {
            let (error, editing, stepping_up, reload, id) = (
                error.clone(),
                editing.clone(),
                stepping_up.clone(),
                reload.clone(),
                id.clone(),
            );
            wasm_bindgen_futures::spawn_local(async move {
                match services::update_bucket(&id, &edit).await {
                    Ok(_) => {
                        error.set(None);
                        editing.set(None);
                        reload.emit(());
                    }
                    Err(failure) if failure.code == ErrorCode::StepUpRequired => stepping_up.set(Some(edit)),
                    // The form stays open with what was typed.
                    Err(failure) => error.set(Some(failure)),
                }
            });
        })
    };
    let step_up_modal = step_up_dialog(&id, CHANGE_BUCKET, &stepping_up, &save);

    let edit_form = editing.as_ref().map(|form| {
        let update = |change: fn(&mut BucketForm, String)| {
            let (editing, form) = (editing.clone(), form.clone());
            move |value: String| {
                let mut next = form.clone();
                change(&mut next, value);
                editing.set(Some(next));
            }
        };
        let on_public = {
            let set = update(|form, value| form.public = value == "on");
            Callback::from(move |event: Event| {
                let checked = event.target_unchecked_into::<HtmlInputElement>().checked();
                set(if checked { "on" } else { "off" }.to_owned())
            })
        };
        let on_types = {
            let set = update(|form, value| form.mime_types = value);
            Callback::from(move |event: InputEvent| set(event.target_unchecked_into::<HtmlTextAreaElement>().value()))
        };
        let on_size = {
            let set = update(|form, value| form.max_file_size = value);
            Callback::from(move |event: InputEvent| set(event.target_unchecked_into::<HtmlInputElement>().value()))
        };
        let parsed = form.edit();
        let on_submit = {
            let (save, parsed) = (save.clone(), parsed.clone());
            Callback::from(move |event: SubmitEvent| {
                event.prevent_default();
                if let Ok(edit) = &parsed {
                    save.emit(edit.clone());
                }
            })
        };
        let on_cancel = {
            let editing = editing.clone();
            Callback::from(move |_: MouseEvent| editing.set(None))
        };
        html! {
            <div class="modal-backdrop">
                <form class="modal" id="bucket-edit" onsubmit={on_submit}>
                    <h2>{ format!("Bucket {}", form.id) }</h2>
                    <label><input type="checkbox" id="bucket-public" checked={form.public} onchange={on_public} />{ " Public: anyone can read its objects without signing in" }</label>
                    <label>{ "Allowed MIME types, one per line (image/png, image/*); empty allows every type" }
                        <textarea id="bucket-mime-types" rows="4" value={form.mime_types.clone()} oninput={on_types} />
                    </label>
                    <label>{ "Largest object, in bytes; empty for no limit" }
                        <input id="bucket-max-size" inputmode="numeric" value={form.max_file_size.clone()} oninput={on_size} />
                    </label>
                    if let Ok(BucketEdit { max_file_size: Some(size), .. }) = &parsed { <p class="muted">{ format!("= {}", bytes(*size)) }</p> }
                    if let Err(problem) = &parsed { <p class="json-error" id="bucket-form-error">{ problem }</p> }
                    <div class="modal-actions">
                        <button type="button" class="button" onclick={on_cancel}>{ "Cancel" }</button>
                        <button type="submit" id="bucket-save" class="button primary" disabled={parsed.is_err()}>{ "Save" }</button>
                    </div>
                </form>
            </div>
        }
    });

    html! {
        <div class="buckets-panel">
            if let Some(failure) = &*error { <ErrorBanner error={failure.clone()} /> }
            <section class="panel">
                <h2>{ "Buckets" }</h2>
                if buckets.is_empty() { <p class="muted">{ "This instance has no storage buckets. Fluxbase creates them when apps upload." }</p> }
                <table class="list-table" id="buckets-table">
                    <thead><tr><th>{ "Bucket" }</th><th>{ "Access" }</th><th>{ "Allowed types" }</th><th>{ "Largest object" }</th><th class="number">{ "Objects" }</th><th class="number">{ "Size" }</th><th>{ "Updated" }</th><th /></tr></thead>
                    <tbody>{ for buckets.iter().map(|bucket| {
                        let on_edit = {
                            let (editing, form) = (editing.clone(), BucketForm::of(bucket));
                            Callback::from(move |_: MouseEvent| editing.set(Some(form.clone())))
                        };
                        let on_browse = {
                            let (browsing, bucket_id) = (browsing.clone(), bucket.id.clone());
                            Callback::from(move |_: MouseEvent| browsing.set(Some(bucket_id.clone())))
                        };
                        html! {
                            <tr class="bucket-row" data-bucket={bucket.id.clone()}>
                                <td>{ &bucket.name }</td>
                                <td class="bucket-access">{ if bucket.public { "public" } else { "private" } }</td>
                                <td>{ bucket.allowed_mime_types.as_ref().map(|types| types.join(", ")).unwrap_or_else(|| "any".into()) }</td>
                                <td>{ bucket.max_file_size.map(bytes).unwrap_or_else(|| "no limit".into()) }</td>
                                <td class="number bucket-objects">{ grouped(bucket.objects) }</td>
                                <td class="number">{ bytes(bucket.bytes) }</td>
                                <td>{ short_time(&bucket.updated_at) }</td>
                                <td class="row-actions">
                                    <button class="button bucket-edit" onclick={on_edit}>{ "Edit…" }</button>
                                    <button class="button bucket-browse" onclick={on_browse}>{ "Browse" }</button>
                                </td>
                            </tr>
                        }
                    }) }</tbody>
                </table>
            </section>
            if let Some(bucket) = &*browsing {
                <ObjectBrowser profile_id={id.clone()} bucket={bucket.clone()} />
            }
            { edit_form.unwrap_or_default() }
            { step_up_modal }
        </div>
    }
}

#[derive(Properties, PartialEq)]
struct ObjectBrowserProps {
    profile_id: String,
    bucket: String,
}

/// A bucket's objects by path, a page at a time (keyset), filtered by prefix.
#[component]
fn ObjectBrowser(props: &ObjectBrowserProps) -> Html {
    let objects = use_state(Vec::<StorageObject>::new);
    let next = use_state(|| Option::<String>::None);
    let prefix = use_state(String::new);
    let error = use_state(|| Option::<ApiError>::None);
    let loading = use_state(|| false);
    // Each request's number: a reply to an older one (a prefix typed over) is dropped.
    let latest = use_mut_ref(|| 0_u64);

    let load = {
        let (objects, next, error, loading, latest) = (
            objects.clone(),
            next.clone(),
            error.clone(),
            loading.clone(),
            latest.clone(),
        );
        let (profile_id, bucket) = (props.profile_id.clone(), props.bucket.clone());
        Callback::from(move |(prefix, after): (String, Option<String>)| {
            let (objects, next, error, loading) =
                (objects.clone(), next.clone(), error.clone(), loading.clone());
            let request = ObjectListRequest {
                bucket: bucket.clone(),
                prefix,
                after: after.clone(),
                limit: OBJECTS_PER_PAGE,
            };
            let profile_id = profile_id.clone();
            let number = {
                let mut latest = latest.borrow_mut();
                *latest += 1;
                *latest
            };
            let latest = latest.clone();
            loading.set(true);
            wasm_bindgen_futures::spawn_local(async move {
                let outcome = services::bucket_objects(&profile_id, &request).await;
                if *latest.borrow() != number {
                    return;
                }
                loading.set(false);
                match outcome {
                    Ok(page) => {
                        error.set(None);
                        let mut shown = if after.is_some() {
                            (*objects).clone()
                        } else {
                            Vec::new()
                        };
                        shown.extend(page.objects);
                        objects.set(shown);
                        next.set(page.next);
                    }
                    Err(failure) => error.set(Some(failure)),
                }
            });
        })
    };
    {
        let (load, prefix) = (load.clone(), (*prefix).clone());
        use_effect_with((props.bucket.clone(), prefix.clone()), move |_| {
            load.emit((prefix, None))
        });
    }
    let on_prefix = {
        let prefix = prefix.clone();
        Callback::from(move |event: InputEvent| {
            prefix.set(event.target_unchecked_into::<HtmlInputElement>().value())
        })
    };
    let on_more = {
        let (load, prefix, next) = (load.clone(), (*prefix).clone(), (*next).clone());
        Callback::from(move |_: MouseEvent| load.emit((prefix.clone(), next.clone())))
    };
    html! {
        <section class="panel" id="object-browser" data-bucket={props.bucket.clone()}>
            <h2>{ format!("Objects in {}", props.bucket) }</h2>
            if let Some(failure) = &*error { <ErrorBanner error={failure.clone()} /> }
            <input id="object-prefix" aria-label="Path starts with" placeholder="path starts with…" value={(*prefix).clone()} oninput={on_prefix} />
            if objects.is_empty() && !*loading { <p class="muted">{ "No objects here." }</p> }
            <table class="list-table" id="objects-table">
                <thead><tr><th>{ "Path" }</th><th class="number">{ "Size" }</th><th>{ "Type" }</th><th>{ "Owner" }</th><th>{ "Created" }</th><th>{ "Updated" }</th></tr></thead>
                <tbody>{ for objects.iter().map(|object| html! {
                    <tr class="object-row" data-path={object.path.clone()}>
                        <td>{ &object.path }</td>
                        <td class="number">{ object.size.map(bytes).unwrap_or_default() }</td>
                        <td>{ object.mime_type.clone().unwrap_or_default() }</td>
                        <td>{ object.owner.clone().unwrap_or_default() }</td>
                        <td>{ short_time(&object.created_at) }</td>
                        <td>{ short_time(&object.updated_at) }</td>
                    </tr>
                }) }</tbody>
            </table>
            <p class="muted">{ format!("{} shown", grouped(objects.len() as i64)) }</p>
            if next.is_some() {
                <button id="objects-more" class="button" disabled={*loading} onclick={on_more}>{ if *loading { "Loading…" } else { "Load more" } }</button>
            }
        </section>
    }
}

#[cfg(test)]
mod tests {
    use super::BucketForm;

    #[test]
    fn the_form_reads_types_and_sizes() {
        let form = BucketForm {
            id: "media".into(),
            public: true,
            mime_types: "image/png\n image/*, \n".into(),
            max_file_size: "10_485_760".into(),
        };
        let edit = form.edit().unwrap();
        assert_eq!(
            edit.allowed_mime_types,
            Some(vec!["image/png".into(), "image/*".into()])
        );
        assert_eq!(edit.max_file_size, Some(10_485_760));
        let empty = BucketForm {
            mime_types: " ".into(),
            max_file_size: String::new(),
            ..form.clone()
        };
        assert_eq!(empty.edit().unwrap().allowed_mime_types, None);
        assert_eq!(empty.edit().unwrap().max_file_size, None);
        let bad = BucketForm {
            max_file_size: "ten".into(),
            ..form
        };
        assert!(bad.edit().unwrap_err().contains("not a number of bytes"));
    }
}
