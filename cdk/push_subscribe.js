// The onSubscribe handler of the generations channel namespace (AppSync Events, APPSYNC_JS runtime).
// A channel is /generations/<user sub> (functions/studio/channels.py): a signed-in user may subscribe
// to their own channel only. Anyone else, on any other path, is refused with UnauthorizedException.
// tests/unit/test_push_subscribe.py runs this file under Node against A's and B's identities.
import { util } from '@aws-appsync/utils';

export function onSubscribe(ctx) {
  const sub = ctx.identity && ctx.identity.sub;
  const segments = ctx.info.channel.segments;
  if (!sub || segments.length !== 2 || segments[0] !== 'generations' || segments[1] !== sub) {
    util.unauthorized();
  }
}
