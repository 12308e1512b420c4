namespace Nehr.Core.Records;

/// <summary>Sex as recorded on the identity document (the specification's "gender").</summary>
public enum Sex
{
    Female,
    Male,
    Unknown,
    Other,
}

/// <summary>
/// Race as recorded on the identity document (Singapore's CMIO categories); <see cref="NotStated"/> until the
/// population register gives it (a provider's feed does not).
/// </summary>
public enum Race
{
    NotStated,
    Chinese,
    Malay,
    Indian,
    Others,
}
