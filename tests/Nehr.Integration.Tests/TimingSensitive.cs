namespace Nehr.Integration.Tests;

/// <summary>
/// Tests that compare times (the cost of a sign-in for a known, an unknown and a locked account) run alone, after the
/// others: on two cores, the other test classes' portals running alongside would add their load to some of the
/// measured requests and not to others.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class TimingSensitive
{
    public const string Name = "Timing-sensitive";
}
