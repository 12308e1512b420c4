using Nehr.Core.Data;

namespace Nehr.Core.Tests;

/// <summary>
/// A claim's key names one thing: two claims wait for each other only when their rules could break each other, so
/// things of different kinds, or different things of one kind, must never share a key.
/// </summary>
public sealed class DataClaimTests
{
    [Fact]
    public void The_same_thing_is_claimed_under_the_same_key()
    {
        Assert.Equal(DataClaim.Patient(42), DataClaim.Patient(42));
        Assert.Equal(DataClaim.Identifier("S1234567D"), DataClaim.Identifier("S1234567D"));
    }

    [Fact]
    public void One_id_of_different_kinds_gives_different_keys()
    {
        var keys = new[]
        {
            DataClaim.Patient(7), DataClaim.Staff(7), DataClaim.Provider(7), DataClaim.System(7), DataClaim.Roster(7),
            DataClaim.Identifier("7"), DataClaim.Named("7"),
        };

        Assert.Equal(keys.Length, keys.Select(k => k.Key).Distinct().Count());
    }

    [Theory]
    [InlineData(1, 2)]
    [InlineData(1, int.MaxValue)]
    [InlineData(0, 1 << 24)]
    public void Different_ids_of_one_kind_give_different_keys(int a, int b)
    {
        Assert.NotEqual(DataClaim.Patient(a), DataClaim.Patient(b));
        Assert.NotEqual(DataClaim.Staff(a), DataClaim.Staff(b));
    }

    [Fact]
    public void Different_identifiers_give_different_keys()
    {
        Assert.NotEqual(DataClaim.Identifier("S1234567D"), DataClaim.Identifier("S1234567A"));
        Assert.NotEqual(DataClaim.Named("outbox"), DataClaim.Named("alert-scan"));
    }
}
