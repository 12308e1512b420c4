namespace Nehr.Core.Access;

/// <summary>The outcome of the access decision for one read of a patient's record.</summary>
public enum AccessLevel
{
    Denied,
    BasicSetOnly,
    Full,
}
