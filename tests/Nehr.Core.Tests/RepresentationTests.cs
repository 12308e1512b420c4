using Nehr.Core.Records;
using Nehr.Core.Representatives;

namespace Nehr.Core.Tests;

/// <summary>When a representation allows what, on its own dates and the patient's death.</summary>
public sealed class RepresentationTests
{
    private static readonly Nric Parent = Nric.Parse("S1234567D");
    private static readonly DateTime Now = new(2026, 11, 27, 4, 0, 0, DateTimeKind.Utc);

    [Theory]
    [InlineData("2012-11-27", "2026-11-26T16:00:00Z")] // 14 today in Singapore: since midnight there (16:00 UTC the day before)
    [InlineData("2016-02-29", "2030-02-28T16:00:00Z")] // a leap-day child turns 14 on 1 March in a common year
    [InlineData("2012-02-29", "2026-02-28T16:00:00Z")]
    public void A_childs_14th_birthday_starts_at_midnight_in_singapore(string birth, string expected)
    {
        var at = Representation.FourteenthBirthdayUtc(DateOnly.Parse(birth, System.Globalization.CultureInfo.InvariantCulture));

        Assert.Equal(DateTime.Parse(expected, System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.AdjustToUniversal), at);
    }

    [Fact]
    public void A_parent_acts_until_the_minute_the_child_turns_14_and_not_after()
    {
        var birth = new DateOnly(2012, 11, 28); // 14 tomorrow in Singapore
        var link = Representation.ParentOf(1, birth, Parent, 2, Now.AddYears(-5));

        Assert.Null(link.WhyNot(RepresentativePowers.ChangeAccess, Now, false, null, 90));
        var turned = Representation.FourteenthBirthdayUtc(birth);
        Assert.Null(link.WhyNot(RepresentativePowers.SeeRecord, turned.AddTicks(-1), false, null, 90));
        Assert.Contains("the child turned 14 on 28 Nov 2026", link.WhyNot(RepresentativePowers.SeeRecord, turned, false, null, 90), StringComparison.Ordinal);
    }

    [Fact]
    public void A_representation_allows_only_its_powers_and_nothing_before_acceptance_or_after_its_end()
    {
        var invitation = Representation.Invitation(1, Parent, RepresentativePowers.SeeRecord, "patient", Now);

        Assert.Equal("the invitation has not been accepted", invitation.WhyNot(RepresentativePowers.SeeRecord, Now, false, null, 90));
        invitation.Accept(2, Now.AddHours(1));
        Assert.Null(invitation.WhyNot(RepresentativePowers.SeeRecord, Now.AddHours(2), false, null, 90));
        Assert.Equal("it does not allow this", invitation.WhyNot(RepresentativePowers.SeeAccessHistory, Now.AddHours(2), false, null, 90));
        Assert.Equal("it does not allow this", invitation.WhyNot(RepresentativePowers.SeeRecord | RepresentativePowers.ChangeAccess, Now.AddHours(2), false, null, 90));
        invitation.End("patient", "ended by the patient", Now.AddHours(3));
        Assert.Equal("it was ended (ended by the patient)", invitation.WhyNot(RepresentativePowers.SeeRecord, Now.AddHours(4), false, null, 90));
    }

    [Fact]
    public void After_a_death_family_reads_for_the_set_days_an_appointee_not_at_all_and_nobody_changes_anything()
    {
        var died = new DateOnly(2026, 11, 1);
        var caregiver = Representation.Invitation(1, Parent, RepresentativePowers.All, "patient", Now.AddYears(-1));
        caregiver.Accept(2, Now.AddYears(-1));
        var donee = Representation.Appointment(1, Parent, 2, RepresentationKind.LpaDonee, "LPA-1", Now.AddYears(5), RepresentativePowers.All, "moh", Now.AddYears(-1));

        Assert.Null(caregiver.WhyNot(RepresentativePowers.SeeRecord, Now, true, died, 90));
        Assert.Contains("nobody changes", caregiver.WhyNot(RepresentativePowers.ChangeAccess, Now, true, died, 90), StringComparison.Ordinal);
        Assert.Contains("nobody changes", caregiver.WhyNot(RepresentativePowers.ReportAccesses, Now, true, died, 90), StringComparison.Ordinal);
        Assert.Equal("the patient has died", donee.WhyNot(RepresentativePowers.SeeRecord, Now, true, died, 90));
        var lastDay = Nehr.Core.NehrCalendar.EndOfDayUtc(died.AddDays(90));
        Assert.Null(caregiver.WhyNot(RepresentativePowers.SeeRecord, lastDay.AddTicks(-1), true, died, 90));
        Assert.NotNull(caregiver.WhyNot(RepresentativePowers.SeeRecord, lastDay, true, died, 90));
    }

    [Fact]
    public void An_invitation_without_anything_to_allow_is_refused()
    {
        var error = Assert.Throws<DomainException>(() => Representation.Invitation(1, Parent, RepresentativePowers.None, "patient", Now));

        Assert.True(error.Errors.ContainsKey("powers"));
    }
}
