import Foundation

/// A fresh row id in the original backend's form: a lowercase UUID string.
public func newID() -> String {
    UUID().uuidString.lowercased()
}
