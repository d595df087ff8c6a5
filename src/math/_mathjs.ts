/**
 * The module's own mathjs instance (plain `number` arithmetic). Module-private: it is not re-exported,
 * so the package's public types never pull in mathjs's 7,900-line declarations — which tslab would
 * otherwise type-check on every notebook's first import.
 *
 * Its `multiply` of two 2-D number arrays runs on the fast kernel (WebAssembly SIMD), and its `transpose` of a 2-D number
 * array is two plain loops (both installed here with math.import, mathjs's extension mechanism); every other call is
 * mathjs's own. Same numbers, sooner (tested).
 *
 * Dependencies: mathjs, the fast kernel's _fastMultiply.
 */
import { create, all } from "mathjs";
import { _fastMultiply, _fastTranspose } from "./fast/kernels";
import { _inputsChecked } from "./_trust";

export const _math = create(all, { number: "number" });
_math.import({
  multiply: _fastMultiply(_math.multiply, _inputsChecked),
  transpose: _fastTranspose(_math.transpose, _inputsChecked),
}, { override: true });
