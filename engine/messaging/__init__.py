"""Messaging: SNS topics, SQS queues, Lambda functions, email subscribers, queue consumers.

engine.catalog maps the messaging kinds to their classes and engine.summary prints their tables, so
messaging is always on; a topology without messaging edges pays nothing on its request path
(clients and instances only loop over empty hook lists).

The message ledger (FORMAT.md section 2). A *copy* is one message in one place:

- created: a producer's send accepted by a queue (a FIFO duplicate is not accepted: no copy), or
  one copy per subscription whose filter policy matches when a publish reaches a topic. A publish
  that no subscription matches, or a FIFO topic's duplicate, creates nothing (the topic counts it
  as filtered out or deduplicated). A publish or send still travelling on its edge is not a copy
  yet. A redrive moves a copy; it does not create one.
- deleted: consumed successfully: deleted by an SQS consumer (an instance or Lambda's event source
  mapping) after processing; an SNS copy whose asynchronous Lambda invocation succeeded; an email
  that reached the inbox; an HTTP/S delivery answered with 2xx.
- dead_lettered: a copy sitting in a dead-letter queue (moved there by a redrive or by SNS after its
  delivery retries ran out), or on its way there. If a consumer of the DLQ deletes it, or it
  expires there, it becomes deleted or expired.
- expired: removed by a queue's retention period.
- dropped: discarded without being consumed: SNS retries ran out and the subscription has no DLQ;
  Lambda's asynchronous tries ran out; an SNS copy that a FIFO queue discarded as a duplicate.
- in_queues / in_flight / delayed: visible, received-but-not-deleted, delayed, in a queue that is
  not a dead-letter queue for it.
- being_delivered: held by SNS (on the edge, waiting for a retry, at an HTTP/S endpoint), by Lambda
  (an SNS event queued for a retry or running), or by a mail server (delivery latency).

Each component's message_counts() reports its part, counted from the containers that hold the
copies (never by subtraction), so created = the sum of the other states proves the bookkeeping.
"""
