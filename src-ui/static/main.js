// Loads the wasm UI. Kept out of index.html so the CSP needs no inline script.
import init from "./fluxdesk-ui.js";
init();
