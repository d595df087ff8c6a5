#!/usr/bin/env node
// `npm run progress [-- notebooks-folder]`: which exercises of the course are done (see progress.ts).
import { progressText } from "./progress";

console.log(progressText(process.argv[2] ?? "notebooks"));
