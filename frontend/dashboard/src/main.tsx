import { render } from "preact";
import { App } from "./app";
import { Auth } from "./auth/cognito";
import { loadConfig } from "./config";
import "./style.css";

const root = document.getElementById("app")!;

loadConfig()
  .then((config) => render(<App config={config} auth={new Auth(config)} />, root))
  .catch((error) => {
    // Without its configuration the dashboard cannot reach the user pool: say so plainly.
    root.innerHTML = "";
    const main = document.createElement("main");
    main.id = "main";
    const alert = document.createElement("p");
    alert.setAttribute("role", "alert");
    alert.textContent = `Ringback could not start: ${error instanceof Error ? error.message : String(error)}`;
    main.append(alert);
    root.append(main);
  });
