import type { Rule } from '../../types.js';
import { hadolintUrl } from '../meta.js';

export const dl3002: Rule = {
  id: 'DL3002',
  group: 'practice',
  description: 'Last USER should not be root',
  url: hadolintUrl('DL3002'),
  severity: 'warning',
  check({ model, report }) {
    const last = model.stages[model.stages.length - 1];
    if (!last) return;
    const users = last.instructions.filter((i) => i.kind === 'user');
    const user = users[users.length - 1];
    if (user?.kind !== 'user' || !user.value) return;
    const name = user.value.value.split(':')[0];
    if (name !== 'root' && name !== '0') return;
    report(user.value.range, 'Last USER should not be root', user);
  },
};
