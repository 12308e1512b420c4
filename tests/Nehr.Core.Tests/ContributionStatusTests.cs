using Nehr.Core.Contribution;

namespace Nehr.Core.Tests;

public sealed class ContributionStatusTests
{
    [Fact]
    public void Every_status_has_its_own_http_status_and_entry_lines_agree_with_it()
    {
        var statuses = Enum.GetValues<ContributionStatus>();

        Assert.Equal(statuses.Length, statuses.Select(s => s.HttpStatus()).Distinct().Count());
        foreach (var status in statuses.Where(s => s is not (ContributionStatus.Unauthorised or ContributionStatus.UnsupportedMediaType)))
        {
            // Those two answer a request as a whole, never an entry of a transaction-response.
            Assert.StartsWith($"{status.HttpStatus()} ", status.StatusLine(), StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData(ContributionStatus.Created, false)]
    [InlineData(ContributionStatus.Accepted, false)]
    [InlineData(ContributionStatus.Malformed, true)]
    [InlineData(ContributionStatus.Unprocessable, true)]
    [InlineData(ContributionStatus.TooLarge, true)]
    public void Only_created_and_accepted_are_not_refusals(ContributionStatus status, bool refusal) =>
        Assert.Equal(refusal, status.IsRefusal());

    [Fact]
    public void A_refusal_takes_the_status_of_its_gravest_problem()
    {
        ContributionIssue Issue(IssueKind kind) => new(kind, "Bundle", "x");

        Assert.Equal(ContributionStatus.TooLarge, ContributionIssue.StatusFor([Issue(IssueKind.Malformed), Issue(IssueKind.TooLarge)]));
        Assert.Equal(ContributionStatus.Malformed, ContributionIssue.StatusFor([Issue(IssueKind.Invalid), Issue(IssueKind.Malformed)]));
        Assert.Equal(ContributionStatus.Unprocessable, ContributionIssue.StatusFor([Issue(IssueKind.BusinessRule), Issue(IssueKind.NotKept)]));
    }
}
