import { Redis } from "ioredis";

// Two kinds of connection, as BullMQ's production guide asks: producers fail fast when Redis is
// down (so POST answers 503 instead of hanging), workers wait forever for Redis to come back.
export function createProducerConnection(url: string): Redis {
  return new Redis(url, { enableOfflineQueue: false, maxRetriesPerRequest: 1, lazyConnect: false });
}

export function createWorkerConnection(url: string): Redis {
  return new Redis(url, { maxRetriesPerRequest: null });
}
