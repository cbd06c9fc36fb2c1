/** The config core's reader of referenced files over the file-access seam. */
import { readTextIfExists, type FileAccess } from '../files';
import type { ReadFile } from './types';

/** Referenced configs are small; a bigger file at that path is not one (and is not read). */
export const MAX_REFERENCED_BYTES = 4 * 1024 * 1024;

/**
 * A ReadFile over a FileAccess (local, over SSH, in memory): the file's UTF-8 text; undefined when nothing is there,
 * it is a folder, or it is over `limit` bytes.
 */
export function fileAccessReader(files: FileAccess, limit = MAX_REFERENCED_BYTES): ReadFile {
  return async (path) => {
    const info = await files.stat(path);
    if (!info || info.isDirectory || info.size > limit) return undefined;
    return readTextIfExists(files, path, limit);
  };
}
