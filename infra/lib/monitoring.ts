import { Duration } from "aws-cdk-lib";
import * as cloudwatch from "aws-cdk-lib/aws-cloudwatch";
import * as elbv2 from "aws-cdk-lib/aws-elasticloadbalancingv2";
import { Construct } from "constructs";

/**
 * Alarms: the share of requests the tasks answer with a 5xx, and targets that fail their health check. They have
 * no action by default; add one (an SNS topic for e-mail, a pager) in the console or here.
 */
export class ChatMonitoring extends Construct {
  constructor(scope: Construct, id: string, props: { alb: elbv2.ApplicationLoadBalancer; targetGroup: elbv2.ApplicationTargetGroup }) {
    super(scope, id);
    const period = Duration.minutes(5);
    const errors = props.targetGroup.metrics.httpCodeTarget(elbv2.HttpCodeTarget.TARGET_5XX_COUNT, { period, statistic: "Sum" });
    const requests = props.targetGroup.metrics.requestCount({ period, statistic: "Sum" });
    new cloudwatch.Alarm(this, "ServerErrorRate", {
      alarmDescription: "More than 5% of requests answered with a 5xx by the chat tasks (5 minutes, twice in a row)",
      metric: new cloudwatch.MathExpression({ expression: "IF(requests > 20, 100 * errors / requests, 0)", usingMetrics: { errors, requests }, period, label: "5xx %" }),
      threshold: 5,
      evaluationPeriods: 2,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    new cloudwatch.Alarm(this, "UnhealthyTargets", {
      alarmDescription: "A chat task fails its /healthz check at the ALB (3 minutes in a row)",
      metric: props.targetGroup.metrics.unhealthyHostCount({ period: Duration.minutes(1), statistic: "Maximum" }),
      threshold: 0,
      evaluationPeriods: 3,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
  }
}
