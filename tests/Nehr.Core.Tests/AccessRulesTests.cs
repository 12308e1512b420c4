using Nehr.Core.Access;

namespace Nehr.Core.Tests;

public class AccessRulesTests
{
    private static readonly AccessRequest Allowed = new()
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

    public static TheoryData<string, AccessRequest, AccessLevel, DecisionReason> Rules() => new()
    {
        { "1 employment", Allowed with { Purpose = PurposeOfUse.Employment }, AccessLevel.Denied, DecisionReason.PurposeNotCare },
        { "1 insurance payment", Allowed with { Purpose = PurposeOfUse.InsurancePayment }, AccessLevel.Denied, DecisionReason.PurposeNotCare },
        { "1 insurance coverage", Allowed with { Purpose = PurposeOfUse.InsuranceCoverage }, AccessLevel.Denied, DecisionReason.PurposeNotCare },
        { "1 unknown purpose", Allowed with { Purpose = PurposeOfUse.FromCode("RESEARCH") }, AccessLevel.Denied, DecisionReason.PurposeNotCare },
        { "1 beats an override", Allowed with { Purpose = PurposeOfUse.Employment, OverrideActive = true }, AccessLevel.Denied, DecisionReason.PurposeNotCare },
        { "2 account disabled", Allowed with { AccountActive = false }, AccessLevel.Denied, DecisionReason.AccountDisabled },
        { "2 person suspended", Allowed with { PersonNehrAccessSuspended = true }, AccessLevel.Denied, DecisionReason.PersonNehrAccessSuspended },
        { "2 provider suspended", Allowed with { ProviderNehrAccessSuspended = true }, AccessLevel.Denied, DecisionReason.ProviderNehrAccessSuspended },
        { "2 provider not onboarded", Allowed with { ProviderOnboarded = false }, AccessLevel.Denied, DecisionReason.ProviderNotOnboarded },
        { "2 beats an override", Allowed with { PersonNehrAccessSuspended = true, OverrideActive = true }, AccessLevel.Denied, DecisionReason.PersonNehrAccessSuspended },
        { "2 provider not recertified past its grace", Allowed with { ProviderRecertificationLapsed = true }, AccessLevel.Denied, DecisionReason.ProviderNotRecertified },
        { "2 not recertified beats an override", Allowed with { ProviderRecertificationLapsed = true, OverrideActive = true }, AccessLevel.Denied, DecisionReason.ProviderNotRecertified },
        { "3 role not in care", Allowed with { PersonInvolvedInCare = false }, AccessLevel.Denied, DecisionReason.RoleNotInCare },
        { "3 beats an override", Allowed with { PersonInvolvedInCare = false, OverrideActive = true }, AccessLevel.Denied, DecisionReason.RoleNotInCare },
        { "4 not registered", Allowed with { PatientRegisteredWithProvider = false }, AccessLevel.Denied, DecisionReason.PatientNotRegistered },
        { "4 beats an override", Allowed with { PatientRegisteredWithProvider = false, OverrideActive = true }, AccessLevel.Denied, DecisionReason.PatientNotRegistered },
        { "5 override on restrict all", Allowed with { Restriction = RestrictionMode.RestrictAll, OverrideActive = true }, AccessLevel.Full, DecisionReason.EmergencyOverride },
        { "5 override on selected", Allowed with { Restriction = RestrictionMode.AllowSelectedProviders, OverrideActive = true }, AccessLevel.Full, DecisionReason.EmergencyOverride },
        { "6 no restriction", Allowed, AccessLevel.Full, DecisionReason.NoRestriction },
        { "6 emergency treatment", Allowed with { Purpose = PurposeOfUse.EmergencyTreatment }, AccessLevel.Full, DecisionReason.NoRestriction },
        { "7 allowed provider", Allowed with { Restriction = RestrictionMode.AllowSelectedProviders, PatientAllowsProvider = true }, AccessLevel.Full, DecisionReason.ProviderAllowedByPatient },
        { "8 other provider", Allowed with { Restriction = RestrictionMode.AllowSelectedProviders }, AccessLevel.BasicSetOnly, DecisionReason.PatientRestricted },
        { "8 restrict all", Allowed with { Restriction = RestrictionMode.RestrictAll }, AccessLevel.BasicSetOnly, DecisionReason.PatientRestricted },
        { "8 allowance ignored under restrict all", Allowed with { Restriction = RestrictionMode.RestrictAll, PatientAllowsProvider = true }, AccessLevel.BasicSetOnly, DecisionReason.PatientRestricted },
    };

    [Theory]
    [MemberData(nameof(Rules))]
    public void Each_rule_decides_with_its_reason(string rule, AccessRequest request, AccessLevel level, DecisionReason reason)
    {
        var decision = AccessRules.Decide(request);

        Assert.True((level, reason) == (decision.Level, decision.Reason), $"rule {rule}: got {decision.Level}/{decision.Reason}");
    }

    /// <summary>Every combination of the inputs (7 purposes x 3 modes x 2^8 flags), checked against the specification's rules (docs/specification.md, A1–A8).</summary>
    public static IEnumerable<AccessRequest> AllCombinations()
    {
        PurposeOfUse[] purposes = [.. PurposeOfUse.Known, PurposeOfUse.FromCode("X")];
        foreach (var purpose in purposes)
        {
            foreach (var mode in Enum.GetValues<RestrictionMode>())
            {
                for (var flags = 0; flags < 256; flags++)
                {
                    yield return new AccessRequest
                    {
                        Purpose = purpose,
                        Restriction = mode,
                        AccountActive = (flags & 1) != 0,
                        PersonNehrAccessSuspended = (flags & 2) != 0,
                        PersonInvolvedInCare = (flags & 4) != 0,
                        ProviderOnboarded = (flags & 8) != 0,
                        ProviderNehrAccessSuspended = (flags & 16) != 0,
                        PatientRegisteredWithProvider = (flags & 32) != 0,
                        PatientAllowsProvider = (flags & 64) != 0,
                        OverrideActive = (flags & 128) != 0,
                    };
                }
            }
        }
    }

    [Fact]
    public void Every_combination_of_inputs_follows_the_rules_in_order()
    {
        var count = 0;
        foreach (var r in AllCombinations())
        {
            count++;
            var d = AccessRules.Decide(r);
            var gatesPass = r.Purpose.IsCare && r.AccountActive && !r.PersonNehrAccessSuspended && !r.ProviderNehrAccessSuspended
                && r.ProviderOnboarded && r.PersonInvolvedInCare && r.PatientRegisteredWithProvider;

            // Rules 1-4 deny, whatever else holds (an override never lifts them).
            Assert.Equal(gatesPass, d.Level != AccessLevel.Denied);
            if (!r.Purpose.IsCare)
            {
                Assert.Equal(DecisionReason.PurposeNotCare, d.Reason);
            }

            if (!gatesPass)
            {
                continue;
            }

            // Past the gates: an override gives Full; otherwise Full unless the patient restricts this provider.
            var restricted = r.Restriction == RestrictionMode.RestrictAll
                || (r.Restriction == RestrictionMode.AllowSelectedProviders && !r.PatientAllowsProvider);
            var expected = r.OverrideActive || !restricted ? AccessLevel.Full : AccessLevel.BasicSetOnly;
            Assert.Equal(expected, d.Level);
            Assert.Equal(r.OverrideActive, d.IsOverride);
        }

        Assert.Equal(7 * 3 * 256, count);
    }

    [Fact]
    public void The_reason_is_the_first_rule_that_matches()
    {
        foreach (var r in AllCombinations())
        {
            var expected =
                !r.Purpose.IsCare ? DecisionReason.PurposeNotCare :
                !r.AccountActive ? DecisionReason.AccountDisabled :
                r.PersonNehrAccessSuspended ? DecisionReason.PersonNehrAccessSuspended :
                r.ProviderNehrAccessSuspended ? DecisionReason.ProviderNehrAccessSuspended :
                !r.ProviderOnboarded ? DecisionReason.ProviderNotOnboarded :
                !r.PersonInvolvedInCare ? DecisionReason.RoleNotInCare :
                !r.PatientRegisteredWithProvider ? DecisionReason.PatientNotRegistered :
                r.OverrideActive ? DecisionReason.EmergencyOverride :
                r.Restriction == RestrictionMode.None ? DecisionReason.NoRestriction :
                r.Restriction == RestrictionMode.AllowSelectedProviders && r.PatientAllowsProvider ? DecisionReason.ProviderAllowedByPatient :
                DecisionReason.PatientRestricted;

            Assert.Equal(expected, AccessRules.Decide(r).Reason);
        }
    }

    [Theory]
    [InlineData("TREAT", true)]
    [InlineData("treat", true)]
    [InlineData("ETREAT", true)]
    [InlineData("BTG", true)]
    [InlineData("HPAYMT", false)]
    [InlineData("COVERAGE", false)]
    [InlineData("EMPLOY", false)]
    [InlineData("", false)]
    [InlineData("HMARKT", false)]
    public void Only_care_purposes_are_care(string code, bool isCare)
    {
        Assert.Equal(isCare, PurposeOfUse.FromCode(code).IsCare);
    }

    [Fact]
    public void Every_decision_explains_itself()
    {
        foreach (var reason in Enum.GetValues<DecisionReason>())
        {
            var explanation = new AccessDecision(AccessLevel.Denied, reason).Explanation;
            Assert.NotEqual(reason.ToString(), explanation);
        }
    }

    [Fact]
    public void The_clinicians_purpose_list_offers_care_only()
    {
        Assert.All(PurposeOfUse.Choices, p => Assert.True(p.IsCare, p.Code));
        Assert.DoesNotContain(PurposeOfUse.Choices, p => p == PurposeOfUse.Employment || p == PurposeOfUse.InsurancePayment || p == PurposeOfUse.InsuranceCoverage);
        Assert.DoesNotContain(PurposeOfUse.Choices, p => p == PurposeOfUse.BreakTheGlass);
    }

    [Theory]
    [InlineData("EMPLOY")]
    [InlineData("employ")]
    [InlineData(" HPAYMT ")]
    [InlineData("COVERAGE")]
    [InlineData("MARKETING")]
    [InlineData("")]
    public void A_purpose_given_in_a_crafted_request_that_is_not_care_is_kept_as_given_and_refused_by_rule_1(string code)
    {
        var purpose = PurposeOfUse.FromCode(code);

        Assert.False(purpose.IsCare);
        Assert.Equal(code.Trim(), purpose.Code, ignoreCase: true);
        var decision = AccessRules.Decide(Allowed with { Purpose = purpose, OverrideActive = true });
        Assert.Equal((AccessLevel.Denied, DecisionReason.PurposeNotCare), (decision.Level, decision.Reason));
    }
}
