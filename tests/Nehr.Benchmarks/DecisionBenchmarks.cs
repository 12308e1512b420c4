using BenchmarkDotNet.Attributes;
using Nehr.Core.Access;

namespace Nehr.Benchmarks;

/// <summary>The pure access decision, for the common shapes of request.</summary>
[MemoryDiagnoser]
public class DecisionBenchmarks
{
    private static readonly AccessRequest Care = new()
    {
        Purpose = PurposeOfUse.Treatment,
        AccountActive = true,
        PersonNehrAccessSuspended = false,
        PersonInvolvedInCare = true,
        ProviderOnboarded = true,
        ProviderNehrAccessSuspended = false,
        PatientRegisteredWithProvider = true,
        Restriction = RestrictionMode.None,
        PatientAllowsProvider = false,
        OverrideActive = false,
    };

    private static readonly AccessRequest Restricted = Care with { Restriction = RestrictionMode.AllowSelectedProviders };
    private static readonly AccessRequest Insurance = Care with { Purpose = PurposeOfUse.InsurancePayment };

    [Benchmark(Baseline = true)]
    public AccessDecision FullRecord() => AccessRules.Decide(Care);

    [Benchmark]
    public AccessDecision BasicSetOnly() => AccessRules.Decide(Restricted);

    [Benchmark]
    public AccessDecision DeniedPurpose() => AccessRules.Decide(Insurance);
}
