// 我的任务 (issue #17 item 5): the signed-in user's open warning tasks
// (assigned to them) and rectification tasks — for the unit's staff
// (rectification:progress) their unit's tasks not signed off, for the
// inspection office (rectification:write) the tasks with evidence waiting
// for its sign-off or a sign-off waiting for approval, for anyone linked
// to a person the tasks they are responsible for. The menu shows the count.
import { defineStore } from 'pinia'
import { listAll } from '../api/client.js'
import { loadWarnTasks, todayUTC } from '../api/inspect.js'
import { useSession } from './session.js'

export const useMyTasks = defineStore('mytasks', {
  state: () => ({ warnings: [], rect: [], loaded: false }),
  getters: {
    count: (s) => s.warnings.length + s.rect.length,
  },
  actions: {
    async load() {
      const s = useSession()
      const me = s.user && s.user.username
      const person = s.user && s.user.person_id
      const [w, r] = await Promise.all([
        s.perms.has('task:read') && me ? loadWarnTasks({ assignee: me }).catch(() => []) : [],
        s.perms.has('rectification:read') ? listAll('rectification_tasks').catch(() => []) : [],
      ])
      this.warnings = w.filter((x) => x.status !== 'closed')
      const open = r.filter((x) => x.status !== 'signed_off')
      let mine
      if (s.perms.has('rectification:progress')) mine = open
      else if (s.perms.has('rectification:write')) mine = open.filter((x) => (x.status === 'in_progress' && x.evidence_open > 0) || x.pending_signoff)
      else mine = open.filter((x) => person && x.responsible_person_id === person)
      this.rect = mine.sort((a, b) => (a.deadline < b.deadline ? -1 : a.deadline > b.deadline ? 1 : 0))
      this.loaded = true
      this.today = todayUTC()
      return this
    },
  },
})
