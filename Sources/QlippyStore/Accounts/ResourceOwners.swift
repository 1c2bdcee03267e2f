import QlippyModel

/// Whose a resource is: the one lookup behind every access check.
public protocol ResourceOwners: Sendable {
    /// The owner of the resource as a principal (their role and whether they are disabled), or
    /// `nil` when the resource does not exist.
    func owner(of resource: OwnedResource) async throws -> Principal?
}
