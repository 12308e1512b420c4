namespace Nehr.Core.Records;

/// <summary>Sex as recorded on the identity document (the SPEC's "gender").</summary>
public enum Sex
{
    Female,
    Male,
    Unknown,
}

/// <summary>Race as recorded on the identity document (Singapore's CMIO categories).</summary>
public enum Race
{
    Chinese,
    Malay,
    Indian,
    Others,
}
