// Start the NHS.UK design system components (header menu, error summary focus, buttons).
import { initAll } from "../nhsuk/nhsuk-frontend.min.js";

initAll();
