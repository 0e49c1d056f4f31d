// Runs a command against the platform's database, opened (and closed) around it.
import { openPlatform, type Platform } from '@gexbert/core/platform';
import { fail, type OutputOptions } from './output.ts';

export async function withPlatform(
  options: OutputOptions,
  work: (platform: Platform) => Promise<void>,
): Promise<void> {
  let platform: Platform | undefined;
  try {
    platform = await openPlatform();
    await work(platform);
  } catch (error) {
    fail(options, error);
  } finally {
    await platform?.close();
  }
}
