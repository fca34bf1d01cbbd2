import { Stack } from "aws-cdk-lib";
import * as cr from "aws-cdk-lib/custom-resources";
import { Construct } from "constructs";

export const CLOUDFRONT_PREFIX_LIST_NAME = "com.amazonaws.global.cloudfront.origin-facing";

/**
 * The id of CloudFront's origin-facing managed prefix list in the stack's region, looked up when the stack deploys
 * (ec2:DescribeManagedPrefixLists in a custom resource), never at synth time: synth needs no credentials. Give
 * `-c cloudFrontPrefixListId=pl-...` to skip the lookup.
 */
export function cloudFrontPrefixList(scope: Construct): string {
  const lookup = new cr.AwsCustomResource(scope, "CloudFrontPrefixList", {
    onUpdate: {
      service: "EC2",
      action: "describeManagedPrefixLists",
      parameters: { Filters: [{ Name: "prefix-list-name", Values: [CLOUDFRONT_PREFIX_LIST_NAME] }] },
      physicalResourceId: cr.PhysicalResourceId.of(`${CLOUDFRONT_PREFIX_LIST_NAME}-${Stack.of(scope).region}`),
      outputPaths: ["PrefixLists.0.PrefixListId"],
    },
    policy: cr.AwsCustomResourcePolicy.fromSdkCalls({ resources: cr.AwsCustomResourcePolicy.ANY_RESOURCE }),
    installLatestAwsSdk: false,
  });
  return lookup.getResponseField("PrefixLists.0.PrefixListId");
}
