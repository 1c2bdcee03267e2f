import Foundation
import QlippyModel
import QlippyTestSupport

/// ChatGPT data exports built in code, after the format's description: a conversation is a
/// `mapping` of nodes (`message`, `parent`, and usually `children`) with a `current_node`.
enum ChatGPTFixture {
    typealias Node = (id: String, parent: String?, message: [String: Any]?)

    static func message(_ role: String, _ content: [String: Any], time: Double? = nil, hidden: Bool = false, model: String? = nil)
        -> [String: Any]
    {
        var metadata: [String: Any] = [:]
        if hidden { metadata["is_visually_hidden_from_conversation"] = true }
        if let model { metadata["model_slug"] = model }
        return [
            "id": UUID().uuidString, "author": ["role": role, "name": NSNull(), "metadata": [:]],
            "create_time": time.map { $0 as Any } ?? NSNull(), "content": content, "metadata": metadata,
            "status": "finished_successfully", "recipient": "all",
        ]
    }

    static func text(_ parts: String...) -> [String: Any] { ["content_type": "text", "parts": parts] }

    static func conversation(
        id: String, title: String?, nodes: [Node], current: String?, created: Double? = 1_700_000_000, withChildren: Bool = true
    ) -> [String: Any] {
        var mapping: [String: Any] = [:]
        for node in nodes {
            var entry: [String: Any] = ["id": node.id, "message": node.message ?? NSNull(), "parent": node.parent ?? NSNull()]
            if withChildren { entry["children"] = nodes.filter { $0.parent == node.id }.map(\.id) }
            mapping[node.id] = entry
        }
        var conversation: [String: Any] = [
            "title": title ?? NSNull(), "create_time": created.map { $0 as Any } ?? NSNull(), "update_time": NSNull(), "mapping": mapping,
            "conversation_id": id, "id": id, "default_model_slug": "gpt-4o", "moderation_results": [],
        ]
        if let current { conversation["current_node"] = current }
        return conversation
    }

    static func file(_ conversations: [[String: Any]]) throws -> Data {
        try JSONSerialization.data(withJSONObject: conversations)
    }
}
