declare module "siphash24" {
  /** SipHash-2-4 of `data` under a 16-byte key: 8 bytes. */
  function siphash24(data: Uint8Array, key: Uint8Array, out?: Uint8Array, noAssert?: boolean): Uint8Array;
  export default siphash24;
}
