// Chart.js with only what the reports draw (bar charts), registered once. Loaded by a
// dynamic import from BarChart, so neither the first screen nor a report's table waits
// for it.
import { BarController, BarElement, CategoryScale, Chart, Legend, LinearScale, Tooltip } from "chart.js";

Chart.register(BarController, BarElement, CategoryScale, LinearScale, Legend, Tooltip);
Chart.defaults.font.family = 'system-ui, -apple-system, "Segoe UI", Roboto, sans-serif';
Chart.defaults.color = "#4a5368";

export { Chart };
