package com.parley.chat.gateway.presence;

import java.util.Map;

import com.parley.chat.gateway.auth.Caller;

import io.smallrye.mutiny.Uni;

/** How many open sessions each staff member of the caller's tenant holds (chat-api decides). */
public interface WorkloadSource {

    Uni<Map<String, Integer>> workload(Caller staff);
}
