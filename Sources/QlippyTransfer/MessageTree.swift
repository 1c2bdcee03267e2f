import QlippyModel
import QlippyStore

/// Chat apps keep a conversation as a tree of messages (editing a turn starts a branch) and
/// remember the leaf the user last saw. Both ChatGPT's and Open WebUI's exports are read this way:
/// from that leaf up through the parent links to the root, then reversed. `children` links are
/// never needed (some exports omit them).
package enum MessageTree {
    /// Why a conversation's tree cannot be followed; the import reports it and goes on.
    package struct Broken: Error, CustomStringConvertible {
        package var description: String
    }

    /// The node ids from the root down to `leaf`. `parent(id)` is `nil` for a node that is not in
    /// the tree, `.some(nil)` for a root. A parent missing from the tree ends the walk: what is
    /// above it was not exported.
    package static func branch(to leaf: String, named leafName: String, parent: (String) -> String??) throws -> [String] {
        guard parent(leaf) != nil else { throw Broken(description: "\(leafName) \(leaf) is not in the conversation's messages") }
        var branch: [String] = []
        var seen: Set<String> = []
        var next: String? = leaf
        while let id = next, let up = parent(id) {
            guard seen.insert(id).inserted else { throw Broken(description: "the parent links form a cycle at \(id)") }
            branch.append(id)
            next = up
        }
        return branch.reversed()
    }
}
