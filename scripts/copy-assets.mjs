// Copies the front-end libraries installed by npm into the package's static files,
// so that the platform serves them itself (no CDN). Each entry: [from node_modules, to vendor/].
import { cpSync, mkdirSync, rmSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const vendor = join(root, "src", "regiograph", "server", "static", "vendor");

const FILES = [
  ["leaflet/dist/leaflet.js", "leaflet/leaflet.js"],
  ["leaflet/dist/leaflet.css", "leaflet/leaflet.css"],
  ["leaflet/dist/images", "leaflet/images"],
  ["@zazuko/yasgui/build/yasgui.min.js", "yasgui/yasgui.min.js"],
  ["@zazuko/yasgui/build/yasgui.min.css", "yasgui/yasgui.min.css"],
  ["swagger-ui-dist/swagger-ui-bundle.js", "swagger-ui/swagger-ui-bundle.js"],
  ["swagger-ui-dist/swagger-ui.css", "swagger-ui/swagger-ui.css"],
  ["swagger-ui-dist/LICENSE", "swagger-ui/LICENSE"],
];

rmSync(vendor, { recursive: true, force: true });
for (const [from, to] of FILES) {
  const target = join(vendor, to);
  mkdirSync(dirname(target), { recursive: true });
  cpSync(join(root, "node_modules", from), target, { recursive: true });
}
console.log(`copied ${FILES.length} front-end files into ${vendor}`);
