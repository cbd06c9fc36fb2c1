/** Reading values out of tokenizer_config.json / special_tokens_map.json. */

/** `bos_token` etc. may be a string or an AddedToken object (`{"__type": "AddedToken", "content": ...}`). */
export function tokenContent(v: unknown): string | undefined {
  if (typeof v === 'string') return v;
  if (v && typeof v === 'object' && typeof (v as any).content === 'string') return (v as any).content;
  return undefined;
}

/** The chat template string of a tokenizer_config (a string, or a list of named templates: "default" wins). */
export function chatTemplateOf(cfg: Record<string, any> | undefined): string | undefined {
  const t = cfg?.chat_template;
  if (typeof t === 'string') return t;
  if (Array.isArray(t)) return (t.find((x: any) => x?.name === 'default') ?? t[0])?.template;
  return undefined;
}
