/**
 * Module-private: mha-lab/minilm's options checker, src/math's _validateOptions (an unknown key suggests the right
 * one: `{ headmask }` → `headMask`). Bad values are described by src/math's _describe.
 *
 * Dependencies: _validateOptions (src/math/_validate.ts).
 */
export { _validateOptions as _checkOptions } from "../math/_validate";
