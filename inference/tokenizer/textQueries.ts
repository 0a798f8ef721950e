/**
 * Text queries -> token ids for CLIP-style text towers (OWLv2), through Hugging Face's own JavaScript
 * tokenizer (@huggingface/tokenizers) reading the model's tokenizer.json and tokenizer_config.json, so
 * ids match the Python processor's: special tokens added by the tokenizer's post-processor,
 * truncation to `maxLength` keeping the end-of-text token, right padding with the pad token
 * (`padding="max_length"`, as Owlv2Processor calls it).
 */

import { readFile } from 'node:fs/promises';
import { Tokenizer } from '@huggingface/tokenizers';
import { ModelError, UserInputError } from '../../src/errors/errors';

export interface EncodedQueries {
  ids: number[][];
  mask: number[][];
}

/** Longest query accepted, in characters; queries are class names or short phrases. */
export const MAX_QUERY_LENGTH = 200;

export class QueryTokenizer {
  private constructor(
    private readonly tokenizer: Tokenizer,
    private readonly padId: number,
    readonly maxLength: number,
  ) {}

  static async load(
    model: string,
    tokenizerFile: string,
    configFile: string,
    maxLength: number,
  ): Promise<QueryTokenizer> {
    let json: unknown;
    let config: Record<string, unknown>;
    try {
      json = JSON.parse(await readFile(tokenizerFile, 'utf8'));
      config = JSON.parse(await readFile(configFile, 'utf8')) as Record<string, unknown>;
    } catch (err) {
      throw new ModelError(`cannot read its tokenizer (${(err as Error).message})`, model, undefined, {
        cause: err,
      });
    }
    const tokenizer = new Tokenizer(json as object, config);
    const padToken =
      typeof config.pad_token === 'string'
        ? config.pad_token
        : (config.pad_token as { content?: string } | undefined)?.content;
    const padId = padToken === undefined ? 0 : tokenizer.token_to_id(padToken);
    if (padId === undefined)
      throw new ModelError(`pad token ${JSON.stringify(padToken)} is not in the vocabulary`, model);
    return new QueryTokenizer(tokenizer, padId, maxLength);
  }

  encode(queries: readonly string[], field = 'queries'): EncodedQueries {
    const ids: number[][] = [];
    const mask: number[][] = [];
    queries.forEach((q, i) => {
      if (typeof q !== 'string' || q.trim() === '') {
        throw new UserInputError('must be a non-empty string', `${field}[${i}]`);
      }
      if ([...q].length > MAX_QUERY_LENGTH) {
        throw new UserInputError(`is longer than ${MAX_QUERY_LENGTH} characters`, `${field}[${i}]`);
      }
      let row = this.tokenizer.encode(q).ids;
      if (row.length > this.maxLength) row = [...row.slice(0, this.maxLength - 1), row[row.length - 1]];
      const m = row.map(() => 1);
      while (row.length < this.maxLength) {
        row.push(this.padId);
        m.push(0);
      }
      ids.push(row);
      mask.push(m);
    });
    return { ids, mask };
  }
}
