// Copies the Workbox runtime (workbox-build's copyWorkboxLibraries) and workbox-window into
// build/workbox/, which Django serves as static/vendor/workbox/: the service worker and the
// pages load Workbox from this site, never from a CDN.
import {copyWorkboxLibraries} from "workbox-build";
import {cpSync, existsSync, mkdirSync, readdirSync, renameSync, rmSync} from "node:fs";

const target = "build/workbox";
rmSync(target, {recursive: true, force: true});
mkdirSync("build", {recursive: true});
const folder = await copyWorkboxLibraries("build");  // build/workbox-v<version>
renameSync(`build/${folder}`, target);
// The service worker loads the production builds (debug: false): the development builds and
// source maps would only make collectstatic compress three times as many files.
for (const name of readdirSync(target)) {
  if (name.includes(".dev.") || name.endsWith(".map")) rmSync(`${target}/${name}`);
}
const windowBuild = "node_modules/workbox-window/build/workbox-window.prod.umd.js";
if (existsSync(windowBuild)) cpSync(windowBuild, `${target}/workbox-window.prod.umd.js`);
console.log(`Workbox runtime in ${target}/`);
