/**
 * The module's own mathjs instance (plain `number` arithmetic), mathjs's own functions unchanged: a learner who
 * steps into a product steps into mathjs. Module-private: it is not re-exported, so the package's public types
 * never pull in mathjs's 7,900-line declarations, which tslab would otherwise type-check on every notebook's
 * first import.
 *
 * Dependencies: mathjs.
 */
import { create, all } from "mathjs";

export const _math = create(all, { number: "number" });
