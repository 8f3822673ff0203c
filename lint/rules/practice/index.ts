// Best-practice rules, with hadolint's ids.
import type { Rule } from '../../types.js';
import { dl1001 } from './dl1001-inline-ignore.js';
import { dl3000 } from './dl3000-workdir-absolute.js';
import { dl3001 } from './dl3001-container-commands.js';
import { dl3002 } from './dl3002-last-user-root.js';
import { dl3003 } from './dl3003-cd.js';
import { dl3004 } from './dl3004-sudo.js';
import { dl3006 } from './dl3006-untagged-image.js';
import { dl3007 } from './dl3007-latest-tag.js';
import { dl3008 } from './dl3008-apt-pin.js';
import { dl3009 } from './dl3009-apt-lists.js';
import { dl3010 } from './dl3010-add-archive.js';
import { dl3012 } from './dl3012-multiple-healthcheck.js';
import { dl3013 } from './dl3013-pip-pin.js';
import { dl3014 } from './dl3014-apt-get-yes.js';
import { dl3015 } from './dl3015-no-install-recommends.js';
import { dl3016 } from './dl3016-npm-pin.js';
import { dl3018 } from './dl3018-apk-pin.js';
import { dl3019 } from './dl3019-apk-no-cache.js';
import { dl3020 } from './dl3020-add-local-files.js';
import { dl3021 } from './dl3021-copy-sources-dest.js';
import { dl3022 } from './dl3022-copy-from-alias.js';
import { dl3025 } from './dl3025-json-cmd.js';
import { dl3026 } from './dl3026-trusted-registry.js';
import { dl3027 } from './dl3027-apt.js';
import { dl3028 } from './dl3028-gem-pin.js';
import { dl3029 } from './dl3029-from-platform.js';
import { dl3030 } from './dl3030-yum-yes.js';
import { dl3032 } from './dl3032-yum-clean.js';
import { dl3033 } from './dl3033-yum-pin.js';
import { dl3034 } from './dl3034-zypper-yes.js';
import { dl3035 } from './dl3035-zypper-dist-upgrade.js';
import { dl3036 } from './dl3036-zypper-clean.js';
import { dl3037 } from './dl3037-zypper-pin.js';
import { dl3038 } from './dl3038-dnf-yes.js';
import { dl3040 } from './dl3040-dnf-clean.js';
import { dl3041 } from './dl3041-dnf-pin.js';
import { dl3042 } from './dl3042-pip-no-cache-dir.js';
import { dl3045 } from './dl3045-copy-relative-dest.js';
import { dl3046 } from './dl3046-useradd-uid.js';
import { dl3047 } from './dl3047-wget-progress.js';
import { dl3048 } from './dl3048-label-key.js';
import { dl3049 } from './dl3049-label-missing.js';
import { dl3050 } from './dl3050-superfluous-labels.js';
import { dl3051 } from './dl3051-label-empty.js';
import { dl3052 } from './dl3052-label-url.js';
import { dl3053 } from './dl3053-label-rfc3339.js';
import { dl3054 } from './dl3054-label-spdx.js';
import { dl3055 } from './dl3055-label-git-hash.js';
import { dl3056 } from './dl3056-label-semver.js';
import { dl3057 } from './dl3057-healthcheck.js';
import { dl3058 } from './dl3058-label-email.js';
import { dl3059 } from './dl3059-consecutive-run.js';
import { dl3060 } from './dl3060-yarn-cache-clean.js';
import { dl3062 } from './dl3062-go-pin.js';
import { dl3066 } from './dl3066-user-numeric.js';
import { dl3067 } from './dl3067-copy-root-from-stage.js';
import { dl4000 } from './dl4000-maintainer.js';
import { dl4001 } from './dl4001-wget-and-curl.js';
import { dl4003 } from './dl4003-multiple-cmd.js';
import { dl4004 } from './dl4004-multiple-entrypoint.js';
import { dl4005 } from './dl4005-ln-bin-sh.js';
import { dl4006 } from './dl4006-pipefail.js';

export const practiceRules: readonly Rule[] = [
  dl1001,
  dl3000,
  dl3001,
  dl3002,
  dl3003,
  dl3004,
  dl3006,
  dl3007,
  dl3008,
  dl3009,
  dl3010,
  dl3012,
  dl3013,
  dl3014,
  dl3015,
  dl3016,
  dl3018,
  dl3019,
  dl3020,
  dl3021,
  dl3022,
  dl3025,
  dl3026,
  dl3027,
  dl3028,
  dl3029,
  dl3030,
  dl3032,
  dl3033,
  dl3034,
  dl3035,
  dl3036,
  dl3037,
  dl3038,
  dl3040,
  dl3041,
  dl3042,
  dl3045,
  dl3046,
  dl3047,
  dl3048,
  dl3049,
  dl3050,
  dl3051,
  dl3052,
  dl3053,
  dl3054,
  dl3055,
  dl3056,
  dl3057,
  dl3058,
  dl3059,
  dl3060,
  dl3062,
  dl3066,
  dl3067,
  dl4000,
  dl4001,
  dl4003,
  dl4004,
  dl4005,
  dl4006,
];
