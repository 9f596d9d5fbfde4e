// Copies the Workbox runtime (workbox-build's copyWorkboxLibraries) and workbox-window into
// build/workbox/, which Django serves as static/vendor/workbox/: the service worker and the
// pages load Workbox from this site, never from a CDN.
import {copyWorkboxLibraries} from "workbox-build";
import {cpSync, existsSync, renameSync, rmSync, mkdirSync} from "node:fs";

const target = "build/workbox";
rmSync(target, {recursive: true, force: true});
mkdirSync("build", {recursive: true});
const folder = await copyWorkboxLibraries("build");  // build/workbox-v<version>
renameSync(`build/${folder}`, target);
for (const name of ["workbox-window.prod.umd.js", "workbox-window.prod.umd.js.map"]) {
  const source = `node_modules/workbox-window/build/${name}`;
  if (existsSync(source)) cpSync(source, `${target}/${name}`);
}
console.log(`Workbox runtime in ${target}/`);
