declare module "siphash24/siphash24.js" {
  /** A fresh instance of the package's WebAssembly build: hash at 0, key at 8, data from `ptr`. */
  function create(): { memory: WebAssembly.Memory; siphash(ptr: number, length: number): void };
  export default create;
}
