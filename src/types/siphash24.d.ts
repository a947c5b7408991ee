declare module "siphash24" {
  /** SipHash-2-4 of `data` under a 16-byte key: 8 bytes. */
  function siphash24(data: Uint8Array, key: Uint8Array, out?: Uint8Array, noAssert?: boolean): Uint8Array;
  export default siphash24;
}

declare module "siphash24/siphash24.js" {
  /** A fresh instance of the package's WebAssembly build: hash at 0, key at 8, data from `ptr`. */
  function create(): { memory: WebAssembly.Memory; siphash(ptr: number, length: number): void };
  export default create;
}
