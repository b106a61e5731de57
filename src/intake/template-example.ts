// The example row printed in the downloadable template. Its ID number is valid (so the row shows
// what a correct row looks like) and is recognised on upload, so an example left in the list is
// reported instead of being submitted as a person.
import { idCheckCharacter } from "./fields/id-number.ts";

const EXAMPLE_FIRST_17 = "41142619900307123";

export const TEMPLATE_EXAMPLE = {
  name: "张三丰",
  idNumber: EXAMPLE_FIRST_17 + idCheckCharacter(EXAMPLE_FIRST_17),
  mobile: "13800138000",
  destination: "河南省商丘市夏邑县",
  group: "张家",
  preference: "汽车",
  remark: "示例行，请删除后填写",
} as const;
