package dev.kvload.fake;

import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * What a throttled vault saw of a fleet ({@link FakeAzure#throttle}): GETs, refusals, and GETs sent
 * while the vault had told their process to wait.
 *
 * <p>The fake sees when a request arrives, not when the process sent it, nor when the process got a
 * refusal. A GET is excused when it was sent before the refused one (a lower sequence number in the
 * run's request ids, which count up as requests go to the wire): it was in flight. A GET sent after
 * the refused one but before the refusal came back was in flight too, and that can only be told by
 * time: a refusal's round trip on loopback, plus the time the fake takes to note a request on a
 * loaded machine. So a GET that arrived later than the refused one but within {@code tolerance} of
 * it is excused as well; one that arrived after that and before the wait ended is counted.
 *
 * @param gets authorized secret GETs, refused ones included
 * @param refusals 429s the throttle gave
 * @param duringWait GETs a process sent during a wait the vault had given it
 * @param latest how long after a refusal the latest of those arrived (zero when none did)
 */
public record ThrottleReport(int gets, int refusals, int duringWait, Duration latest) {

  public static ThrottleReport of(FakeAzure fake, Duration tolerance) {
    List<FakeAzure.Request> gets =
        fake.secretRequests().stream().filter(FakeAzure.Request::authorized).toList();
    List<FakeAzure.Refusal> refusals = fake.refusals();
    Map<String, List<FakeAzure.Request>> byRun =
        gets.stream().collect(Collectors.groupingBy(FakeAzure.Request::run));
    Set<FakeAzure.Request> during = new HashSet<>();
    Duration latest = Duration.ZERO;
    for (FakeAzure.Refusal refusal : refusals) {
      if (refusal.retryAfter() == null) {
        continue;
      }
      FakeAzure.Request refused = refusal.request();
      var waitEnds = refused.at().plus(refusal.retryAfter());
      var inFlightUntil = refused.at().plus(tolerance);
      for (FakeAzure.Request get : byRun.getOrDefault(refused.run(), List.of())) {
        if (get.sequence() > refused.sequence()
            && get.at().isAfter(inFlightUntil)
            && get.at().isBefore(waitEnds)) {
          during.add(get);
          Duration after = Duration.between(refused.at(), get.at());
          latest = after.compareTo(latest) > 0 ? after : latest;
        }
      }
    }
    return new ThrottleReport(gets.size(), refusals.size(), during.size(), latest);
  }

  /** Refusals drawn per GET the fleet needed ({@code needed}: processes times secrets). */
  public double refusalsPerNeeded(int needed) {
    return (double) refusals / needed;
  }
}
