namespace Nehr.Core.Contribution;

/// <summary>
/// One accepted contribution from a provider (a bundle from a system, or a load of the demo data): what MOH's
/// compliance view counts, so that it never needs to read clinical entries.
/// </summary>
public sealed class ContributionBatch
{
    private ContributionBatch()
    {
    }

    public ContributionBatch(int providerId, int? systemId, int resourceCount, DateTime receivedAtUtc)
    {
        if (providerId <= 0)
        {
            throw new DomainException("A contribution comes from a provider.");
        }

        if (resourceCount < 0)
        {
            throw new DomainException("A contribution has zero or more resources.");
        }

        ProviderId = providerId;
        SystemId = systemId;
        ResourceCount = resourceCount;
        ReceivedAtUtc = receivedAtUtc;
    }

    public long Id { get; private set; }

    public int ProviderId { get; private set; }

    public int? SystemId { get; private set; }

    public int ResourceCount { get; private set; }

    public DateTime ReceivedAtUtc { get; private set; }
}
