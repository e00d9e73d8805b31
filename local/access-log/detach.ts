/**
 * A copy of `s` that does not share memory with the string it was cut from.
 *
 * V8 represents a `slice()` of 13+ characters as a view into its parent, so a short path kept as a
 * map key would keep its whole 256 KB read chunk alive; a thousand such keys pinned hundreds of MB
 * in the 1M-line benchmark before this. Use it for strings kept beyond the current line.
 */
export function detach(s: string): string {
  return Buffer.from(s, 'utf8').toString('utf8');
}
