// Every area's texts at once, for unit tests of pages that load theirs lazily in the app.
import { addTexts } from "./index";
import * as callbacks from "./callbacks";
import * as onboarding from "./onboarding";
import * as reports from "./reports";
import * as settings from "./settings";

[callbacks, onboarding, reports, settings].forEach(addTexts);
