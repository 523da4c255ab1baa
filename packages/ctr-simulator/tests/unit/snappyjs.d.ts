/** Types of the `snappyjs` devDependency (it ships none): raw Snappy blocks, compressed and uncompressed. */
declare module 'snappyjs' {
  export function compress<T extends Uint8Array | ArrayBuffer>(input: T): T;
  export function uncompress<T extends Uint8Array | ArrayBuffer>(input: T, maxLength?: number): T;
  const snappyjs: { compress: typeof compress; uncompress: typeof uncompress };
  export default snappyjs;
}
