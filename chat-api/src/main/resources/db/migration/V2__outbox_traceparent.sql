-- The W3C trace context of the request that wrote the row (null when tracing is off): the relay
-- sends it with the record, so a trace runs from the POST to the frames the gateways write.
alter table outbox add column traceparent varchar(55);
