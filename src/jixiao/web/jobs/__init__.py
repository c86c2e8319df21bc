"""Background jobs: what a user started (an export, a large upload, a re-review), its progress and its
result file. The work itself runs as a task of the queue (jixiao.web.tasks); this app keeps what the
progress page shows and what the download serves, per user."""
