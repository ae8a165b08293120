/**
 * The one list of channels. A new channel is a folder under `channels/`
 * exporting a `Channel` (channels/contract.ts) and one line here; the
 * configuration, migrations, mounting, readiness, hotline relay and
 * shutdown follow from the list.
 */
import type { Channel } from '../channels/contract';
import { botFrameworkChannel } from '../channels/botframework';
import { webchatChannel } from '../channels/webchat';
import { zaloChannel } from '../channels/zalo';

export const channels: readonly Channel[] = [botFrameworkChannel, webchatChannel, zaloChannel];
