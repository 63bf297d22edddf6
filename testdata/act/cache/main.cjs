// Runs the stand-in program's cache-restore command (saving the keys for the post step) with this step's
// environment (the runner's INPUT_* variables and file commands).
const { spawnSync } = require("node:child_process");
const standin = process.env.ACT_STANDIN;
if (!standin) {
  console.log("::error::ACT_STANDIN is not set (the path of pkg/acttest/cmd/standin)");
  process.exit(1);
}
const r = spawnSync(standin, ["cache-restore", "--save-state"], { stdio: "inherit" });
process.exit(r.status === null ? 1 : r.status);
