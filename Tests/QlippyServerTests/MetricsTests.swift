import Foundation
import HummingbirdTesting
import QlippyModel
import QlippyTestSupport
import Testing

@testable import QlippyServer

/// `GET /metrics`: Prometheus text with requests by route template and status, latency
/// histograms, the database's waits, transactions and write batches, open streams, build info.
@Suite("Metrics")
struct MetricsTests {
    /// One sample line: name, labels, value.
    struct Sample {
        var name: String
        var labels: [String: String]
        var value: Double
    }

    /// Parses the exposition, failing the test on any line that is not Prometheus' text format.
    static func parse(_ text: String) -> [Sample] {
        let sample = #/^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{((?:[a-zA-Z_][a-zA-Z0-9_]*="(?:\\.|[^"\\])*",?)*)\})? (\S+)$/#
        let label = #/([a-zA-Z_][a-zA-Z0-9_]*)="((?:\\.|[^"\\])*)"/#
        var samples: [Sample] = []
        for line in text.split(separator: "\n") {
            if line.hasPrefix("# TYPE ") || line.hasPrefix("# HELP ") { continue }
            guard let match = line.wholeMatch(of: sample), let value = Double(match.3) else {
                Issue.record("not a Prometheus text line: \(line)")
                continue
            }
            var labels: [String: String] = [:]
            for pair in String(match.2 ?? "").matches(of: label) { labels[String(pair.1)] = String(pair.2) }
            samples.append(Sample(name: String(match.1), labels: labels, value: value))
        }
        return samples
    }

    static func value(_ samples: [Sample], _ name: String, _ labels: [String: String] = [:]) -> Double? {
        samples.first { sample in sample.name == name && labels.allSatisfy { key, value in sample.labels[key] == value } }?.value
    }

    @Test func countersHoldTheRequestsMade() async throws {
        try await TestServer().run { client in
            let user = try await client.createUser()
            for _ in 0..<3 { #expect(try await client.get("/api/users/\(user)").status == .ok) }
            for _ in 0..<2 { #expect(try await client.get("/api/users/\(UUID().uuidString.lowercased())").status == .notFound) }
            #expect(try await client.get("/no/such/route").status == .notFound)
            let conversation = try await client.createConversation(user: user)
            for index in 0..<4 { _ = try await client.addMessage(to: conversation, "m\(index)") }

            let response = try await client.get("/metrics")
            #expect(response.status == .ok)
            #expect(response.headers[.contentType] == "text/plain; version=0.0.4; charset=utf-8")
            var text = String(buffer: response.body)
            var samples = Self.parse(text)
            // The feed prunes the change log in a task of its own as it starts, which under a full
            // suite's load can come after the requests above: read again until it has (or 10 s).
            let patience = ContinuousClock.now + .seconds(10)
            while (Self.value(samples, "qlippy_database_transaction_seconds_count") ?? 0) < 7, ContinuousClock.now < patience {
                try await Task.sleep(for: .milliseconds(50))
                text = String(buffer: try await client.get("/metrics").body)
                samples = Self.parse(text)
            }
            let route = "/api/users/{user_id}"
            #expect(Self.value(samples, "http_requests_total", ["route": route, "method": "GET", "status": "200"]) == 3)
            #expect(Self.value(samples, "http_requests_total", ["route": route, "method": "GET", "status": "404"]) == 2)
            #expect(Self.value(samples, "http_requests_total", ["route": "/api/users", "method": "POST", "status": "201"]) == 1)
            #expect(
                Self.value(
                    samples, "http_requests_total",
                    ["route": "/api/conversations/{conversation_id}/messages", "method": "POST", "status": "201"]) == 4)
            // Hummingbird's own name for "no route": one series for every unknown path.
            #expect(Self.value(samples, "http_requests_total", ["route": "NotFound", "method": "GET", "status": "404"]) == 1)
            #expect(Self.value(samples, "http_request_duration_seconds_count", ["route": route, "method": "GET", "status": "200"]) == 3)
            #expect(
                (Self.value(samples, "http_request_duration_seconds_bucket", ["route": route, "status": "200", "le": "+Inf"]) ?? 0) == 3)
            #expect(Self.value(samples, "qlippy_build_info", ["version": HealthController.version]) == 1)
            #expect(Self.value(samples, "qlippy_event_streams_open") == 0)
            // Seven writes went through the database: the user, the conversation, four messages, and
            // the event feed's pruning of the change log as it starts; on SQLite, the search
            // indexer's batches too (at most one per message).
            #expect((Self.value(samples, "qlippy_database_transaction_seconds_count") ?? 0) >= 7)
            #expect((Self.value(samples, "qlippy_database_wait_seconds_count") ?? 0) >= 7)
            if TestStore.current == .sqlite {
                #expect((7...11).contains(Self.value(samples, "qlippy_database_write_batch_size_sum") ?? 0))
            }
            #expect(text.firstMatch(of: #/[0-9a-f]{8}-[0-9a-f]{4}-/#) == nil, "no id in any label: bounded series")
            #expect(!text.contains(user))
        }
    }

    /// The messages the search index has yet to take in, read at each scrape: with the indexer off
    /// on SQLite, every message added waits; PostgreSQL's index never does.
    @Test func theSearchIndexLagIsReadAtEachScrape() async throws {
        try await TestServer(settings: SearchPath.behind.settings).run { client in
            let conversation = try await client.createConversation(user: try await client.createUser())
            let before = Self.parse(String(buffer: try await client.get("/metrics").body))
            #expect(Self.value(before, "qlippy_search_index_behind") == 0)
            for index in 0..<3 { _ = try await client.addMessage(to: conversation, "m\(index)") }
            let after = Self.parse(String(buffer: try await client.get("/metrics").body))
            #expect(Self.value(after, "qlippy_search_index_behind") == (TestStore.current == .sqlite ? 3 : 0))
        }
    }

    @Test func metricsNeedTheTokenLikeEveryOtherRoute() async throws {
        let token = "a-token-of-twenty-chars"
        try await TestServer(settings: ["apiToken": token]).run { client in
            #expect(try await client.get("/metrics").status == .unauthorized)
            let response = try await client.executeRequest(
                uri: "/metrics", method: .get, headers: [.authorization: "Bearer \(token)"], body: nil)
            #expect(response.status == .ok)
            let samples = Self.parse(String(buffer: response.body))
            #expect(Self.value(samples, "http_requests_total", ["route": "/metrics", "status": "401"]) == 1)
        }
    }
}
