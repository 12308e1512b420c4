using Nehr.Core.Administration;

namespace Nehr.Core.Tests;

public class RecertificationStatusTests
{
    private static readonly DateTime Onboarded = new(2026, 1, 5, 2, 0, 0, DateTimeKind.Utc);
    private static readonly RecertificationOptions Options = new() { IntervalDays = 90, GraceDays = 14 };

    private static Provider Onboard()
    {
        var provider = new Provider(ProviderCode.Parse("CGH01"), "Central General Hospital", ProviderType.PublicHospital);
        provider.Onboard(Onboarded);
        return provider;
    }

    public static TheoryData<double, RecertificationState> Days() => new()
    {
        { 0, RecertificationState.Current },
        { 89.9, RecertificationState.Current },
        { 90, RecertificationState.Overdue },
        { 103.9, RecertificationState.Overdue },
        { 104, RecertificationState.Lapsed },
        { 400, RecertificationState.Lapsed },
    };

    [Theory]
    [MemberData(nameof(Days))]
    public void A_provider_is_due_every_interval_from_onboarding_and_lapses_after_the_grace(double days, RecertificationState expected)
    {
        var status = RecertificationStatus.Of(Onboard(), Onboarded.AddDays(days), Options);

        Assert.Equal(expected, status.State);
        Assert.Equal((Onboarded.AddDays(90), Onboarded.AddDays(104)), (status.DueUtc, status.AccessEndsUtc));
    }

    [Fact]
    public void Attesting_starts_a_new_cycle_at_once_even_past_the_grace()
    {
        var provider = Onboard();
        var late = Onboarded.AddDays(200);
        Assert.Equal(RecertificationState.Lapsed, RecertificationStatus.Of(provider, late, Options).State);

        provider.Recertify("admin-1", late);

        var status = RecertificationStatus.Of(provider, late, Options);
        Assert.Equal((RecertificationState.Current, late, late.AddDays(90)), (status.State, status.LastAttestedAtUtc, status.DueUtc));
    }

    [Fact]
    public void A_provider_not_onboarded_or_the_population_register_is_never_due()
    {
        var waiting = new Provider(ProviderCode.Parse("GP001"), "Clinic", ProviderType.GeneralPractice);
        var register = new Provider(ProviderCode.Parse("ICA01"), "Register", ProviderType.PopulationRegister);
        register.Onboard(Onboarded);

        Assert.Equal(RecertificationState.NotApplicable, RecertificationStatus.Of(waiting, Onboarded.AddDays(400), Options).State);
        Assert.Equal(RecertificationState.NotApplicable, RecertificationStatus.Of(register, Onboarded.AddDays(400), Options).State);
    }
}
